# kvm-unit-tests (third_party/kvm-unit-tests, vendored unmodified): its x86_64
# and i386 multiboot tests, built out of tree. Included by the top-level
# Makefile, which sets BUILD. See docs/conformance.md.
#
# Each arch gets its own copy of the vendored tree under $(BUILD)/kut/ARCH/,
# configured and built there (kvm-unit-tests' configure writes config.mak
# and lib/asm into the tree it runs in), so third_party/ stays clean. The
# x86_64 tests come out as *.flat: ELF64 code wrapped as ELF32 EM_386 by
# `objcopy -O elf32-i386`, which the multiboot loader takes. Stripped
# copies (a tenth of the size: the ESP is read through Bochs's emulated
# IDE) go to $(BUILD)/kut/bin/ARCH/.

KUT_SRC    := third_party/kvm-unit-tests
KUT_ARCHES := x86_64 i386
KUT_INPUTS := $(shell find $(KUT_SRC) -type f) tests/kut/kut.mk
KUT_STAMPS := $(patsubst %,$(BUILD)/kut/%/.built,$(KUT_ARCHES))

.PHONY: kut test-kut test-kut-fast
kut: $(KUT_STAMPS)

# The sub-make gets none of our command-line variables (BUILD=, EMU=).
$(BUILD)/kut/%/.built: $(KUT_INPUTS)
	@rm -rf $(BUILD)/kut/$* $(BUILD)/kut/bin/$*
	@mkdir -p $(BUILD)/kut/bin/$*
	cp -a $(KUT_SRC) $(BUILD)/kut/$*
	cd $(BUILD)/kut/$* && ./configure --arch=$* > configure.log
	$(MAKE) -C $(BUILD)/kut/$* MAKEOVERRIDES= > $(BUILD)/kut/$*/make.log 2>&1 || \
		{ tail -20 $(BUILD)/kut/$*/make.log; exit 1; }
	for f in $(BUILD)/kut/$*/x86/*.flat; do \
		strip -o $(BUILD)/kut/bin/$*/$${f##*/} $$f || exit 1; done
	@echo "kut: $$(ls $(BUILD)/kut/bin/$* | wc -l) $* tests in $(BUILD)/kut/bin/$*"
	@touch $@

# All of them (long; KUT_EMU=qemu for the QEMU/TCG reference column), and
# the fast subset `make test` runs.
KUT_EMU ?= bochs
test-kut: $(EFI_APP) $(BUILD)/esp/hv.cfg $(KUT_STAMPS)
	@$(PYTHON) tests/kut/kut.py --build $(BUILD) --all --emu $(KUT_EMU)

test-kut-fast: $(EFI_APP) $(BUILD)/esp/hv.cfg $(KUT_STAMPS)
	@$(PYTHON) tests/kut/kut.py --build $(BUILD) --fast
