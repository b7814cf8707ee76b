import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Hummingbird answers a refused WebSocket upgrade with an empty 400. This handler gives that
/// answer a body saying why, so a person with curl (or a log) learns to ask for `json`.
final class FailedUpgradeExplainer: ChannelOutboundHandler, RemovableChannelHandler, Sendable {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let explanation = "WebSocket connections to this server must ask for the subprotocol \"json\" "
        + "(Sec-WebSocket-Protocol: json), as the MDN signaling sample does.\n"

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        if case .head(var head) = part, head.status == .badRequest,
           head.headerFields[.contentLength] == "0", head.headerFields[.connection] == "close" {
            let body = ByteBuffer(string: Self.explanation)
            head.headerFields[.contentLength] = String(body.readableBytes)
            head.headerFields[.contentType] = "text/plain; charset=utf-8"
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: promise)
            return
        }
        context.write(data, promise: promise)
    }
}
