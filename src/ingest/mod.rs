//! Reading uploaded files: format sniffing, zip pre-checks, sandboxed calamine/csv reading, header mapping, value parsing.
