import Testing

// The checkout saga end to end: the whole shop as real processes (`shop up`, one child per service), driven
// through the gateway only, real HTTP on loopback. `swift test --filter ShopEndToEndTests` (after
// `swift build --build-tests`) runs four stacks side by side:
// * `shared` (this file's suite): the walkthrough, ownership, C1, C3, C4, C4′, C6–C16 and the flash sale, in
//   parallel, each test with its own users, products and warehouse;
// * `expiry` (ExpiryTests.swift): a 20 s reservation TTL and a 3 s return window (C5, COMPLETED);
// * `inventory-down` (ExpiryTests.swift): its inventory process frozen and thawed (C2);
// * `crash` (CrashTests.swift): 200+ checkouts while order, inventory, payment and shipping are SIGKILLed 20 times.
// The crash test sets the pace: about 3.5 minutes (20 kills, each after the last victim is back, with `shop up`'s
// restart backoff); the other stacks are done within 40–80 s, most of it the C6 test (tok_timeout's 20 s deadline).
// Every wait is a bounded poll (200 ms, at most 60 s); a stack is stopped with SIGTERM (SIGKILL after 30 s)
// and its data directory removed; a scenario that throws is reported with the stack's last log lines.

/// The suites that share one stack: every test uses its own users, products and warehouse, so they run in
/// parallel against it. Timings (API.md §10, `OrderConfiguration`):
/// * payment timeout 12 s (C6, C7); a tok_success payment settles well within it even under load;
/// * `tok_delayed_success` captures 2 s after initiation, and the reconciler's status polls wait a whole
///   PSP call deadline (20 s) before asking: so the order's payment timeout (12 s) cancels first and the
///   void it asks for finds the charge already captured (C7, deterministic);
/// * `tok_timeout` holds `POST /payments/initiate` for the PSP call deadline (20 s);
/// * refunds retried every second, twice (C13); the return window stays open (600 s) for C12.
@Suite(.shopStack("shared", settings: [
    "ORDER_PAYMENT_TIMEOUT_SECONDS": "12",
    "ORDER_MAX_PAYMENT_ATTEMPTS": "3",
    "ORDER_RETURN_WINDOW_SECONDS": "600",
    "PSP_DELAYED_SUCCESS_SECONDS": "2",
    "PSP_CALL_TIMEOUT_MS": "20000",
]))
struct SharedStack {}
