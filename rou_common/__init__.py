"""Neutral helpers shared by every package of reflected-ou: input checks, output files, number formats.

It imports nothing of the other packages (numpy only), so each of them, ``periodic_routing`` included,
can use it without depending on another.

    checks      ValueError-raising checks of numbers, integers, vectors and seeds (one rule each)
    output      atomic JSON and figure files, one JSON policy for non-finite numbers
    formatting  one formatter for a value with its standard error
"""
