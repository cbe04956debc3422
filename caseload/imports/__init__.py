"""Import a council's teams, workers, people, cases and contacts from CSV files or an XLSX
workbook, and export them in the same format. See docs/import-format.md.

`formats` says what the files hold and parses cells (pure); `readers` streams rows; `engine`
checks every row and then plans or writes in batches; `exporter` writes the same format back.
"""
