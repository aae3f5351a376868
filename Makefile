# The two commands of the README. Both install what is missing first (scripts/setup.sh).
.PHONY: up test bench bench-compare clean

up:
	./scripts/up.sh $(ARGS)

test:
	./scripts/test.sh

# Benchmarks print numbers; they are never a CI gate. `make bench-compare` runs only the side-by-side
# suite (broker, Redis Streams, NATS JetStream), which writes Benchmarks/results/.
bench:
	./scripts/setup.sh
	cd Benchmarks && swift run -c release logstore-bench
	./Benchmarks/compare.sh

bench-compare:
	./Benchmarks/compare.sh

clean:
	rm -rf .build .data
