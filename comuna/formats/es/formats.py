# Venezuelan usage for amounts (as on bank statements and communal accounts): 1.510.000,00.
# Everything else comes from Django's own Spanish formats.
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
