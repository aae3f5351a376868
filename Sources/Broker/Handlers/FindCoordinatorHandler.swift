import KafkaWire

extension BrokerRequestHandler {
    func findCoordinator(_ request: FindCoordinatorRequest, _ context: RequestContext) -> FindCoordinatorResponse {
        guard request.keyType == 0 else {
            return FindCoordinatorResponse(errorCode: KafkaErrorCode.coordinatorNotAvailable.rawValue,
                                           errorMessage: "transactions are not supported", nodeId: -1, host: "", port: -1)
        }
        return FindCoordinatorResponse(nodeId: config.nodeId, host: config.effectiveAdvertisedHost,
                                       port: Int32(config.effectiveAdvertisedPort))
    }
}
