fn main() {
    fnwarden_sandbox::isolation::init_main()
}
