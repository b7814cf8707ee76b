import Foundation

/// What the keys do to the call, the chat and the camera.
extension TerminalUI {
    func sendChat() {
        let line = model.input.text.trimmingCharacters(in: .whitespaces)
        guard !line.isEmpty else { return }
        let command = ChatCommand.parse(line, users: model.users)
        var sent = true
        switch command {
        case .say(let text):
            sent = signaling.sendChat(text)
        case .me(let text):
            sent = signaling.sendChat("/me " + text)
        case .privateMessage(let to, let text):
            if !model.users.contains(to) {
                model.say("\(to) is not online (names are in the user list).", warning: true)
                return
            }
            sent = signaling.sendChat(text, to: to)
            if sent {
                model.chat.append(.init(time: Self.clock(), name: "you → \(to)", text: text, kind: .privateOut))
                options.chatLogFiles?.write(peer: to, name: model.myName, text: text)
            }
        case .help:
            note("Commands: " + ChatCommand.usage.map { "\($0.0): \($0.1)" }.joined(separator: "; ")
                 + ". Keys: ? or F1 (help screen).", warning: false)
        case .call(let name):
            invite(name)
        case .hangUp:
            callKey("h")
        case .quit:
            quitRequested = true
        case .invalid(let why):
            model.say(why, warning: true)
            return
        }
        if sent {
            model.rememberSent(line)
            model.input.clear()
        } else {
            model.say("Not connected to the server: the line was not sent (it stays in the input).", warning: true)
        }
    }

    func invite(_ user: String) {
        if let refusal = model.refusalToCall(user) {
            model.say(refusal, warning: true)
            return
        }
        callControl.invite(user)
        model.setCall(.calling(user))
        videoDirty = true
    }

    /// `a`, `d`, `h`: accept, decline, hang up. The chat line saying how the call ended comes with the
    /// engine's `ended` event, on this side as on the other.
    func callKey(_ key: Unicode.Scalar) {
        switch (key, model.call) {
        case ("a", .ringing): callControl.accept()
        case ("d", .ringing(let from)):
            callControl.decline()
            model.setCall(.idle)
            model.say("You declined the call from \(from).")
        case ("a", _), ("d", _): model.say("No call is ringing.", warning: true)
        case ("h", .idle): model.say("No call to hang up.", warning: true)
        case ("h", let phase):
            callControl.hangUp()
            model.setCall(.idle)
            if case .calling(let peer) = phase { model.say("Stopped calling \(peer).") } else { model.say("Hung up.") }
        default: break
        }
        setTitle()
        videoDirty = true
    }

    func toggleMute() {
        model.micMuted.toggle()
        callControl.setMicMuted(model.micMuted)
        model.say(model.micMuted ? "Microphone muted (m to unmute); the other side sees it." : "Microphone on.")
    }

    /// `v`: off means the device is closed (its light goes out) and the other side sees "camera off".
    func toggleCamera() {
        model.cameraOff.toggle()
        callControl.setCameraOff(model.cameraOff)
        model.say(model.cameraOff ? "Camera off: closed, nothing is sent or shown (v to turn on)." : "Camera on.")
        videoDirty = true
    }

    /// `p`: while idle, opens the camera to preview it (or closes it again); in a call, shows or hides our
    /// own picture in the corner.
    func togglePreview() {
        if model.call == .idle {
            model.showPreview.toggle()
            if model.showPreview { camera?.acquire(.preview) } else { camera?.release(.preview) }
            model.say(model.showPreview ? "Camera preview on (p closes the camera)." : "Camera closed (it opens for calls).")
        } else {
            model.showPip.toggle()
            model.say(model.showPip ? "Your picture is shown." : "Your picture is hidden (p to show it).")
        }
        videoDirty = true
    }

    func toggleStats() {
        model.showStats.toggle()
        videoDirty = true
    }

    func cycleRender() {
        renderOptions.mode = renderOptions.mode.cycled(utf8: options.utf8, colored: renderOptions.depth != .mono)
        bumpVideoGeneration()
        model.say("Video: \(renderOptions.mode.label), \(renderOptions.depth.label).")
        videoDirty = true
    }
}
