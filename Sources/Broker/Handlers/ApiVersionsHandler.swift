import KafkaWire

extension BrokerRequestHandler {
    func apiVersions(_ request: ApiVersionsRequest, _ context: RequestContext) -> ApiVersionsResponse {
        ApiVersionsResponse(errorCode: 0, apiKeys: ApiKey.advertised)
    }
}
