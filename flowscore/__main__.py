from flowscore.cli import main

main()
