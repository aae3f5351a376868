import Foundation

/// The run's progress while it runs: on a terminal one line rewritten every second; otherwise a plain line
/// every ten seconds (a log or a pipe gets no carriage returns).
struct ProgressLine: Sendable {
    let recorder: LoadRecorder
    let live: Bool
    let output: FileHandle

    init(recorder: LoadRecorder, output: FileHandle, descriptor: Int32) {
        self.recorder = recorder
        self.output = output
        live = isatty(descriptor) == 1
    }

    /// Prints until cancelled; then clears the live line so the report starts on a clean one.
    func run(since start: ContinuousClock.Instant) async {
        let interval: Duration = live ? .seconds(1) : .seconds(10)
        var previous = recorder.progress()
        var previousAt = start
        while true {
            do { try await Task.sleep(for: interval) } catch { break }
            let now = ContinuousClock.now
            let current = recorder.progress()
            let window = max((now - previousAt) / .seconds(1), 0.001)
            let elapsed = (now - start) / .seconds(1)
            let line = String(format: "%5.0f s  requests %ld (%.0f/s now), %ld failed  iterations %ld ok, %ld failed  PAID or later %ld (%.1f/s now)",
                              elapsed, current.requests, Double(current.requests - previous.requests) / window, current.failedRequests,
                              current.iterationsCompleted, current.iterationsFailed, current.ordersPaidOrLater,
                              Double(current.ordersPaidOrLater - previous.ordersPaidOrLater) / window)
            output.write(Data((live ? "\r\u{1B}[2K" + line : line + "\n").utf8))
            previous = current
            previousAt = now
        }
        if live { output.write(Data("\r\u{1B}[2K".utf8)) }
    }
}
