#!/usr/bin/python3
"""Validates a JSON document against a JSON Schema (the draft its $schema names).

Usage: validate.py SCHEMA_FILE JSON_FILE

Exit 0 when the document is valid; 1 when it is not, with one line per error
on stderr: the path of the failing value, then why ("$.services[0].probe:
'latency_ms' is a required property"); 2 when a file cannot be read or parsed,
or the schema itself is invalid.

Uses Debian's python3-jsonschema (scripts/install-deps.sh), hence
/usr/bin/python3 rather than whatever python3 comes first in PATH.
"""
import json
import sys

try:
    import jsonschema
except ImportError as missing:
    print(f"validate.py: {missing}: install python3-jsonschema (scripts/install-deps.sh)", file=sys.stderr)
    sys.exit(2)


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv):
    if len(argv) != 3:
        print("usage: validate.py SCHEMA_FILE JSON_FILE", file=sys.stderr)
        return 2
    try:
        schema = load(argv[1])
        document = load(argv[2])
        validator_class = jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)
    except (OSError, ValueError) as error:
        print(f"validate.py: {error}", file=sys.stderr)
        return 2
    except jsonschema.exceptions.SchemaError as error:
        print(f"validate.py: {argv[1]}: not a valid schema: {error.message}", file=sys.stderr)
        return 2
    errors = sorted(validator_class(schema).iter_errors(document), key=lambda error: error.json_path)
    for error in errors:
        print(f"{argv[2]}: {error.json_path}: {error.message}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
