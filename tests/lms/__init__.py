"""A small LMS for tests: schema checks for packages and a SCORM run-time page (scorm-again)."""
