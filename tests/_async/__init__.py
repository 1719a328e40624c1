"""Client tests, written once here; `make generate` derives their blocking twins."""
