fn main() -> std::process::ExitCode {
    govtrust::cli::main()
}
