//! Fixture tests: real files from LibreOffice and the sample generator, read end to end.
