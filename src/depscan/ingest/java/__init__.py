"""Java: Maven pom.xml and Gradle lockfiles."""
