"""Static files storage for production (DEBUG off)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's compressed, hashed files, with the paths in JavaScript modules' `import ... from
    "..."` rewritten to hashed names too (Django leaves modules alone by default, and never looks in
    `.mjs` files): the service's own modules import GOV.UK Frontend's by a relative path, which must
    name a file that is shipped, and cached for good like every other hashed file."""

    support_js_module_import_aggregation = True
    patterns = (
        *CompressedManifestStaticFilesStorage.patterns,
        ("*.mjs", CompressedManifestStaticFilesStorage._js_module_import_aggregation_patterns[1]),
    )
