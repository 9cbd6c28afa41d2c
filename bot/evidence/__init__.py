"""Evidence: ``/done`` reports with photos, albums and PDFs; quota progress; duplicates; review."""
