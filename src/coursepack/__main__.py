from coursepack.program import main

main()
