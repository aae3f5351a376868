import Testing

/// The suites that share one stack: every test uses its own users, products and warehouse, so they run in
/// parallel against it. Timings (API.md §10, `OrderConfiguration`):
/// * payment timeout 8 s (C6, C7); a tok_success payment settles well within it even under load;
/// * `tok_delayed_success` captures 2 s after initiation, and the reconciler's status polls wait a whole
///   PSP call deadline (20 s) before asking: so the order's payment timeout (8 s) cancels first and the
///   void it asks for finds the charge already captured (C7, deterministic);
/// * `tok_timeout` holds `POST /payments/initiate` for the PSP call deadline (20 s);
/// * refunds retried every second, twice (C13); the return window stays open (600 s) for C12.
@Suite(.shopStack("shared", settings: [
    "ORDER_PAYMENT_TIMEOUT_SECONDS": "8",
    "ORDER_MAX_PAYMENT_ATTEMPTS": "3",
    "ORDER_RETURN_WINDOW_SECONDS": "600",
    "PSP_DELAYED_SUCCESS_SECONDS": "2",
    "PSP_CALL_TIMEOUT_MS": "20000",
]))
struct SharedStack {}
