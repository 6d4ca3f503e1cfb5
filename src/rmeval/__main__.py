"""`python -m rmeval`: the same command as `rmeval` (what `torchrun` and `accelerate launch -m` start)."""

from rmeval.cli import main

raise SystemExit(main())
