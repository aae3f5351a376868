import Prometheus

extension ServiceApp {
    /// Increments `<namespace>_<name>_total{labels}` in the service's registry (shown on `/metrics`), for
    /// targets that count things without depending on swift-prometheus themselves.
    public func incrementCounter(namespace: String, name: String, help: String, labels: [(String, String)]) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: namespace, metricName: name, unitName: "total", helpText: help),
            labels: labels
        ).increment()
    }
}
