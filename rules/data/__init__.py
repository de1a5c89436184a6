"""Bundled data (stroke counts); a package so that installs ship the files."""
