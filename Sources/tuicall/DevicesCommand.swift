import ArgumentParser
import Capture

/// `tuicall devices`: lists cameras and ALSA capture/playback devices.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List cameras (with formats) and ALSA microphones and speakers.")

    func run() throws {
        print(DeviceList.scan().report, terminator: "")
    }
}
