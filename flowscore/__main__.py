import sys

try:
    from flowscore.entry import main
except KeyboardInterrupt:  # Ctrl-C while Python is still importing: the same one line
    from flowscore import STOPPED

    sys.stderr.write(STOPPED + "\n")
    sys.exit(130)

if __name__ == "__main__":  # a spawned worker imports this module again: it must not run
    main()
