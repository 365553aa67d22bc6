from coursepack.cli import run

run()
