"""Form and e-mail submission without Qt: what the citizen sends, sealed for the hub.

`service.Submissions` seals and keeps a form's answers or an e-mail in the outbox on the store's
writer thread and hands back a future; `form` and `email` say what goes into each, `reference`
makes the number a citizen quotes.
"""
