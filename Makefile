# The two commands of the README. Both install what is missing first (scripts/setup.sh).
.PHONY: up test bench clean

up:
	./scripts/up.sh $(ARGS)

test:
	./scripts/test.sh

# Benchmarks print numbers; they are never a CI gate.
bench:
	./scripts/setup.sh
	cd Benchmarks && swift run -c release logstore-bench

clean:
	rm -rf .build .data
