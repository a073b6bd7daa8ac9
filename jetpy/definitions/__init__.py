"""Definition formats: reading YAML files with problems by file and line, key schemas, config.yaml,
and the writer the studio changes them with (`writer`: round trip, validated, all or nothing).

The lowest layer of jetpy after `jetpy.errors`: the kernel reads page.yaml and the module system
reads manifests, menus and dictionaries through it; `jetpy.project` assembles a whole project.
Exports `load_yaml`, `Config`, `load_config` and the schema module.
"""

from __future__ import annotations

from jetpy.definitions import schema
from jetpy.definitions.config import Config, load_config
from jetpy.definitions.yamlfile import load_yaml

__all__ = ["Config", "load_config", "load_yaml", "schema"]
