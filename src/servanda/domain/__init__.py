"""The pure core: business time, agreements, clocks, compliance and credits.

Standard library only; never reads the wall clock ("now" is always a parameter).
"""
