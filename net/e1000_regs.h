/*
 * Intel e1000-family registers and legacy descriptor bits, named as in
 *   [8254x] PCI/PCI-X Family of Gigabit Ethernet Controllers Software
 *           Developer's Manual (82540EM and relatives), and
 *   [82574] Intel 82574 GbE Controller Family Datasheet (82574L).
 * The 82574 keeps the 8254x offsets and legacy descriptor formats for
 * everything used here; where it differs it is said. 8254x citations
 * are to sections; 82574 citations are to its register chapter (10).
 */
#ifndef NET_E1000_REGS_H
#define NET_E1000_REGS_H

/* Register offsets into BAR0 (memory-mapped), [8254x] table 13-2 */
#define E1000_CTRL 0x00000     /* [8254x] 13.4.1 Device Control */
#define E1000_STATUS 0x00008   /* [8254x] 13.4.2 Device Status */
#define E1000_EECD 0x00010     /* [8254x] 13.4.3 EEPROM/Flash Control (EEC on 82574) */
#define E1000_EERD 0x00014     /* [8254x] 13.4.4 EEPROM Read */
#define E1000_ICR 0x000c0      /* [8254x] 13.4.17 Interrupt Cause Read (read clears) */
#define E1000_IMS 0x000d0      /* [8254x] 13.4.20 Interrupt Mask Set/Read */
#define E1000_IMC 0x000d8      /* [8254x] 13.4.21 Interrupt Mask Clear */
#define E1000_RCTL 0x00100     /* [8254x] 13.4.22 Receive Control */
#define E1000_TCTL 0x00400     /* [8254x] 13.4.33 Transmit Control */
#define E1000_TIPG 0x00410     /* [8254x] 13.4.34 Transmit IPG */
#define E1000_RDBAL 0x02800    /* [8254x] 13.4.25 Receive Descriptor Base Low */
#define E1000_RDBAH 0x02804    /* [8254x] 13.4.26 Receive Descriptor Base High */
#define E1000_RDLEN 0x02808    /* [8254x] 13.4.27 Receive Descriptor Length */
#define E1000_RDH 0x02810      /* [8254x] 13.4.28 Receive Descriptor Head */
#define E1000_RDT 0x02818      /* [8254x] 13.4.29 Receive Descriptor Tail */
#define E1000_RDTR 0x02820     /* [8254x] 13.4.30 Receive Delay Timer */
#define E1000_TDBAL 0x03800    /* [8254x] 13.4.36 Transmit Descriptor Base Low */
#define E1000_TDBAH 0x03804    /* [8254x] 13.4.37 Transmit Descriptor Base High */
#define E1000_TDLEN 0x03808    /* [8254x] 13.4.38 Transmit Descriptor Length */
#define E1000_TDH 0x03810      /* [8254x] 13.4.39 Transmit Descriptor Head */
#define E1000_TDT 0x03818      /* [8254x] 13.4.40 Transmit Descriptor Tail */
#define E1000_RXCSUM 0x05000   /* [8254x] 13.4 Receive Checksum Control (0 = no offload) */
#define E1000_MTA 0x05200      /* [8254x] 13.5.1 Multicast Table Array, 128 dwords */
#define E1000_MTA_COUNT 128
#define E1000_RAL0 0x05400     /* [8254x] 13.5.2 Receive Address Low, entry 0 */
#define E1000_RAH0 0x05404     /* [8254x] 13.5.3 Receive Address High, entry 0 */
#define E1000_RFCTL 0x05008    /* [82574] 10.2 Receive Filter Control (82574 only) */
#define E1000_MPC 0x04010      /* [8254x] 13.7.5 Missed Packets Count (read clears) */

/* CTRL bits, [8254x] 13.4.1; [82574] 10.2 CTRL */
#define E1000_CTRL_FD (1U << 0)        /* full duplex */
#define E1000_CTRL_LRST (1U << 3)      /* link reset (must be 0 for the link to come up) */
#define E1000_CTRL_ASDE (1U << 5)      /* auto-speed detection enable */
#define E1000_CTRL_SLU (1U << 6)       /* set link up */
#define E1000_CTRL_ILOS (1U << 7)      /* invert loss-of-signal */
#define E1000_CTRL_FRCSPD (1U << 11)   /* force speed */
#define E1000_CTRL_FRCDPLX (1U << 12)  /* force duplex */
#define E1000_CTRL_RST (1U << 26)      /* device reset, self-clearing */
#define E1000_CTRL_VME (1U << 30)      /* VLAN mode enable */
#define E1000_CTRL_PHY_RST (1U << 31)  /* PHY reset */

/* STATUS bits, [8254x] 13.4.2 */
#define E1000_STATUS_FD (1U << 0)
#define E1000_STATUS_LU (1U << 1)          /* link up */
#define E1000_STATUS_SPEED_SHIFT 6         /* 00 10, 01 100, 1x 1000 Mb/s */
#define E1000_STATUS_SPEED_MASK (3U << 6)

/* EECD bits, [8254x] 13.4.3; [82574] 10.2 EEC.AUTO_RD */
#define E1000_EECD_AUTO_RD (1U << 9)       /* 82574: NVM auto-read done */

/*
 * EERD layouts differ. [8254x] 13.4.4 (82540/82544/82545/82546):
 * START bit 0, DONE bit 4, ADDR 15:8, DATA 31:16. [82574] 10.2 EERD
 * (and 82541/82547 in [8254x] 13.4.4): START bit 0, DONE bit 1, ADDR
 * 15:2, DATA 31:16. Software access procedure: [8254x] 5.3.1.
 */
#define E1000_EERD_START (1U << 0)
#define E1000_EERD_DONE_8254X (1U << 4)
#define E1000_EERD_ADDR_SHIFT_8254X 8
#define E1000_EERD_DONE_82574 (1U << 1)
#define E1000_EERD_ADDR_SHIFT_82574 2
#define E1000_EERD_DATA_SHIFT 16
/* EEPROM words 0-2 hold the Ethernet individual address, [8254x] 5.6 */
#define E1000_EEPROM_IA_WORDS 3

/* ICR/IMS/IMC bits, [8254x] 13.4.17 table 13-63 */
#define E1000_ICR_TXDW (1U << 0)   /* transmit descriptor written back */
#define E1000_ICR_TXQE (1U << 1)   /* transmit queue empty */
#define E1000_ICR_LSC (1U << 2)    /* link status change */
#define E1000_ICR_RXDMT0 (1U << 4) /* receive descriptor minimum threshold */
#define E1000_ICR_RXO (1U << 6)    /* receiver FIFO overrun */
#define E1000_ICR_RXT0 (1U << 7)   /* receiver timer */
#define E1000_IMC_ALL 0xffffffffU  /* [8254x] 13.4.21: reserved bits written as 1 */

/* RCTL bits, [8254x] 13.4.22 table 13-67; [82574] 10.2 RCTL */
#define E1000_RCTL_EN (1U << 1)        /* receiver enable */
#define E1000_RCTL_SBP (1U << 2)       /* store bad packets */
#define E1000_RCTL_UPE (1U << 3)       /* unicast promiscuous */
#define E1000_RCTL_MPE (1U << 4)       /* multicast promiscuous */
#define E1000_RCTL_LPE (1U << 5)       /* long packet enable */
#define E1000_RCTL_LBM_MASK (3U << 6)  /* loopback mode; 00 = normal */
#define E1000_RCTL_RDMTS_HALF (0U << 8) /* RX min threshold 1/2 of RDLEN */
#define E1000_RCTL_DTYP_MASK (3U << 10) /* [82574] descriptor type; 00 = legacy */
#define E1000_RCTL_MO_MASK (3U << 12)  /* multicast offset */
#define E1000_RCTL_BAM (1U << 15)      /* broadcast accept mode */
#define E1000_RCTL_BSIZE_2048 (0U << 16) /* with BSEX = 0 */
#define E1000_RCTL_BSIZE_MASK (3U << 16)
#define E1000_RCTL_VFE (1U << 18)      /* VLAN filter enable */
#define E1000_RCTL_BSEX (1U << 25)     /* buffer size extension (x16) */
#define E1000_RCTL_SECRC (1U << 26)    /* strip Ethernet CRC */

/* [82574] 10.2 RFCTL.EXSTEN: extended RX descriptors (default 0 = legacy) */
#define E1000_RFCTL_EXSTEN (1U << 15)

/* TCTL bits, [8254x] 13.4.33 table 13-76 */
#define E1000_TCTL_EN (1U << 1)
#define E1000_TCTL_PSP (1U << 3)       /* pad short packets to 64 bytes */
#define E1000_TCTL_CT_SHIFT 4          /* collision threshold, 0Fh recommended */
#define E1000_TCTL_COLD_SHIFT 12       /* collision distance, 40h for full duplex */
#define E1000_TCTL_RTLC (1U << 24)
#define E1000_TCTL_CT_RECOMMENDED 0x0fU
#define E1000_TCTL_COLD_FULL_DUPLEX 0x40U

/* TIPG, [8254x] 13.4.34 table 13-77: IPGT 10, IPGR1 8, IPGR2 6 for copper (802.3 96-bit time) */
#define E1000_TIPG_IPGT_COPPER 10U
#define E1000_TIPG_IPGR1 8U
#define E1000_TIPG_IPGR2 6U
#define E1000_TIPG_IPGR1_SHIFT 10
#define E1000_TIPG_IPGR2_SHIFT 20

/* RAH bits, [8254x] 13.5.3 */
#define E1000_RAH_AV (1U << 31)        /* address valid */

/*
 * Legacy receive descriptor (RDESC), [8254x] 3.2.3 table 3-1;
 * status bits 3.2.3.1 table 3-2; error bits 3.2.3.2 table 3-3 (valid
 * only with DD and EOP set). [82574] uses the same layout when
 * RFCTL.EXSTEN = 0.
 */
#define E1000_RXD_STAT_DD (1U << 0)    /* descriptor done */
#define E1000_RXD_STAT_EOP (1U << 1)   /* end of packet */
#define E1000_RXD_STAT_IXSM (1U << 2)  /* ignore checksum indication */
#define E1000_RXD_STAT_VP (1U << 3)    /* 802.1Q tagged */
#define E1000_RXD_ERR_CE (1U << 0)     /* CRC or alignment error */
#define E1000_RXD_ERR_SE (1U << 1)     /* symbol error */
#define E1000_RXD_ERR_SEQ (1U << 2)    /* sequence error */
#define E1000_RXD_ERR_CXE (1U << 4)    /* carrier extension error */
#define E1000_RXD_ERR_TCPE (1U << 5)   /* TCP/UDP checksum error */
#define E1000_RXD_ERR_IPE (1U << 6)    /* IP checksum error */
#define E1000_RXD_ERR_RXE (1U << 7)    /* RX data error */

/*
 * Legacy transmit descriptor (TDESC), [8254x] 3.3.3 table 3-8; command
 * bits 3.3.3.1 table 3-10, status bits 3.3.3.2 table 3-11. The packet
 * must be at least 48 bytes before padding (table 3-9), so short frames
 * are padded by software to the Ethernet minimum of 60.
 */
#define E1000_TXD_CMD_EOP (1U << 0)    /* end of packet */
#define E1000_TXD_CMD_IFCS (1U << 1)   /* insert FCS */
#define E1000_TXD_CMD_IC (1U << 2)     /* insert checksum */
#define E1000_TXD_CMD_RS (1U << 3)     /* report status (write back DD) */
#define E1000_TXD_CMD_DEXT (1U << 5)   /* extension; 0 = legacy descriptor */
#define E1000_TXD_CMD_VLE (1U << 6)
#define E1000_TXD_CMD_IDE (1U << 7)
#define E1000_TXD_STAT_DD (1U << 0)    /* descriptor done */
#define E1000_TXD_STAT_EC (1U << 1)    /* excess collisions */
#define E1000_TXD_STAT_LC (1U << 2)    /* late collision */

/* Ring geometry: RDLEN/TDLEN in multiples of 128 bytes = 8 descriptors, [8254x] 13.4.27 */
#define E1000_DESC_SIZE 16
#define E1000_RING_ALIGN_DESCS 8
#define E1000_RING_MAX_DESCS 65528 /* RDH/RDT/TDH/TDT are 16 bits, [8254x] 13.4.28 */
#define E1000_TX_MIN_FRAME 60      /* Ethernet minimum without FCS */
#define E1000_TX_MAX_LEN 16288     /* one legacy descriptor, [8254x] table 3-9 */

#endif
