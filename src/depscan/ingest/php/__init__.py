"""PHP: composer.lock and composer.json."""
