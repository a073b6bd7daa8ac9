"""The studio: build a site in the browser (bases, page trees, contents, menus, modules).

`edits` changes page definitions through the validated, all-or-nothing writer of
`jetpy.definitions.writer`; `validate` checks a staging copy of the project in process.
"""
