//! The `leakhound` binary: the command line of [`leakhound_cli`].

fn main() -> std::process::ExitCode {
    leakhound_cli::main()
}
