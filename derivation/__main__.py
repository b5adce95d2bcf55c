"""``python -m derivation``: the derivation as a document; see derivation.document.main."""

import sys

from .document import main

sys.exit(main())
