import KafkaWire

extension BrokerRequestHandler {
    func initProducerId(_ request: InitProducerIdRequest, _ context: RequestContext) -> InitProducerIdResponse {
        do {
            let id = try producerIds.allocate()
            logger.debug("InitProducerId", metadata: ["producer_id": "\(id)", "client": "\(context.clientId)"])
            return InitProducerIdResponse(producerId: id, producerEpoch: 0)
        } catch {
            logger.error("allocating a producer id failed", metadata: ["error": "\(error)"])
            return InitProducerIdResponse(errorCode: KafkaErrorCode.kafkaStorageError.rawValue, producerId: -1, producerEpoch: -1)
        }
    }
}
