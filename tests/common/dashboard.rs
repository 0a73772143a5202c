//! The real dashboard in a pseudo-terminal over an emulator, for tests that drive it by keys.

use lrotop::emulator::BackgroundEmulator;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

pub struct Dashboard {
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn std::io::Write + Send>,
    rx: std::sync::mpsc::Receiver<Vec<u8>>,
    pub parser: vt100::Parser,
    /// Every byte the dashboard wrote.
    pub raw: Vec<u8>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Dashboard {
    /// `lrotop --endpoint EMU --project demo-project-1 --location global ARGS` in a 160×40
    /// pty, with `home` as its HOME and config directory.
    pub fn start(emu: &BackgroundEmulator, args: &[&str], home: &Path) -> Dashboard {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 160,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_lrotop"));
        cmd.args(["--endpoint", emu.url(), "--project", "demo-project-1"]);
        cmd.args(["--location", "global"]);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home);
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env_remove("LROTOP_ENDPOINT");
        let child = pty.slave.spawn_command(cmd).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Dashboard {
            child,
            writer,
            rx,
            parser: vt100::Parser::new(
                std::num::NonZeroU16::new(40).unwrap(),
                std::num::NonZeroU16::new(160).unwrap(),
                0,
            ),
            raw: Vec::new(),
            _master: pty.master,
        }
    }

    pub fn wait_for(&mut self, what: &str, ok: &dyn Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.parser.screen().contents();
            if ok(&screen) {
                return;
            }
            assert!(Instant::now() < deadline, "no {what}:\n{screen}");
            if let Ok(b) = self.rx.recv_timeout(Duration::from_millis(50)) {
                self.parser.process(&b);
                self.raw.extend_from_slice(&b);
            }
        }
    }

    /// Takes in what has arrived so far, waiting briefly for the rest.
    pub fn pump(&mut self) {
        while let Ok(b) = self.rx.recv_timeout(Duration::from_millis(200)) {
            self.parser.process(&b);
            self.raw.extend_from_slice(&b);
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }
}
