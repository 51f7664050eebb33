"""``python -m jicui_samples --out DIR --seed N …``"""

import sys

from . import main

sys.exit(main())
