"""flowscore: 流动人口服务管理目标考核批量评分。

The library never prints or exits: it takes plain data and returns plain data. ``cli/`` is a
thin layer over it.
"""

import sys

if sys.argv[:1] == ["-m"]:  # ``python -m flowscore``, still being located: Ctrl-C is one line
    from flowscore.entry import early_stop

    early_stop()

from flowscore.contract import TEMPLATE_VERSION  # after the line above, on purpose

__version__ = "0.1.0"
__all__ = ["TEMPLATE_VERSION", "__version__"]
