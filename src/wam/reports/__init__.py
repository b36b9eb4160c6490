"""Reports made from the analyses (issue 14): the PDF and HTML brief, the monthly WAM report and open data.

An adapter layer (``tests/test_architecture.py``): it reads through the services and the domain, never
the storage layer, and takes what it prints already scoped by its caller.
"""
