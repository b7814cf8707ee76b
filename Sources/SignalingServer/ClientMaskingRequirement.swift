import HummingbirdWebSocket
import NIOWebSocket

/// RFC 6455 §5.1: every frame a client sends is masked, and a server must fail the connection on an
/// unmasked one. WSCore does not check, so this always-on extension does: it sees each data frame before
/// unmasking. `fragmentedControlFrame` is the public error WSCore answers with close code 1002.
struct ClientMaskingRequirement: WebSocketExtension {
    var name: String { "tuicall-client-masking" }

    func processReceivedFrame(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
        guard frame.maskKey != nil else {
            context.logger.info("client sent an unmasked frame: closing with 1002")
            throw NIOWebSocketError.fragmentedControlFrame
        }
        return frame
    }

    func processFrameToSend(_ frame: WebSocketFrame, context: WebSocketExtensionContext) async throws -> WebSocketFrame {
        frame
    }

    func shutdown() async {}
}
