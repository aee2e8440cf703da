"""flowscore: 流动人口服务管理目标考核批量评分。

The library never prints or exits: it takes plain data and returns plain data. ``cli.py`` is a
thin layer over it.
"""

__version__ = "0.1.0"
TEMPLATE_VERSION = "1"
