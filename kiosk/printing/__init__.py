"""Printing without Qt: "print this PDF and follow the job" (`job`), a visit's print or copy
order with its price, payment and settling (`order`), paid jobs settled by their end
(`delivery`), and the service the screens reach it all through (`service`).
"""
