# Roost: `make run` and `make test` set everything up on a fresh Debian machine.
.PHONY: test run
test:
	swift build --build-tests
	swift test
run:
	swift build --product roost
