"""Documents made from tickets without Qt: work-order PDFs, macros, signed scans."""
