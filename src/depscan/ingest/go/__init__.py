"""Go: go.mod and go.sum."""
