"""Built-in rule profiles (YAML data); a package so that installs ship the files."""
