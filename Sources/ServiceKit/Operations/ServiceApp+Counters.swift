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

    /// Sets the gauge `<namespace>_<name>[_<unit>]{labels}` in the service's registry, for state that a
    /// service reads from its own database (orders by status) rather than counts as it happens.
    public func setGauge(namespace: String, name: String, unit: String = "", help: String, labels: [(String, String)] = [],
                         value: Double) {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: namespace, metricName: name, unitName: unit, helpText: help),
            labels: labels
        ).set(value)
    }
}
