import sys

try:
    from flowscore.entry import main
except KeyboardInterrupt:  # Ctrl-C while Python is still importing: the same one line
    sys.stderr.write("已停止：本次运行被中断，原有的结果没有改动。\n")
    sys.exit(130)

if __name__ == "__main__":  # a spawned worker imports this module again: it must not run
    main()
