/// polars allocates and frees a column-sized buffer per expression per
/// morsel; glibc's malloc serves those from fresh mmap-ed pages (a page
/// fault per 4 KiB each time), mimalloc reuses them. polars' own Python
/// builds ship with a non-system allocator for the same reason.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    govtrust::no_huge_pages();
    // SAFETY: the first thing the process does; no other thread yet.
    unsafe { govtrust::parquet_reading() };
    govtrust::cli::main()
}
