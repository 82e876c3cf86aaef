// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title SignedVault: takes ETH for backend-signed quotes and pays backend-signed withdrawals.
/// @notice The backend's signer (fixed at deployment) signs EIP-712 `Quote`s and `Withdrawal`s
/// off chain. `deposit` accepts exactly the quoted amount from the quoted payer before the
/// deadline, once per quote id. `withdraw` pays an authorized amount to its recipient before
/// the deadline, once per withdrawal id; anyone may submit it, the ETH always goes to the
/// recipient. Plain ETH transfers are refused (no receive or fallback function). `anchor` lets
/// the signer publish a ledger checkpoint (tree size, Merkle root) as an event, so the
/// checkpoint's time is fixed by the chain; it keeps no state.
contract SignedVault {
    struct Quote {
        bytes32 id;
        address payer;
        uint256 amount;
        uint8 purpose;
        bytes32 ref; // the quote's reference ("reference" is a reserved word in Solidity)
        uint256 deadline;
    }

    struct WithdrawalAuthorization {
        bytes32 id;
        address recipient;
        uint256 amount;
        uint256 deadline;
    }

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant QUOTE_TYPEHASH = keccak256(
        "Quote(bytes32 id,address payer,uint256 amount,uint8 purpose,bytes32 ref,uint256 deadline)"
    );
    bytes32 private constant WITHDRAWAL_TYPEHASH =
        keccak256("Withdrawal(bytes32 id,address recipient,uint256 amount,uint256 deadline)");
    bytes32 private constant NAME_HASH = keccak256("ClashSignedVault");
    bytes32 private constant VERSION_HASH = keccak256("1");
    /// Half the secp256k1 order: signatures with a larger `s` are the malleable twin (EIP-2).
    uint256 private constant HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// The backend key whose signatures this vault honours.
    address public immutable signer;
    mapping(bytes32 quoteId => bool) public quoteUsed;
    mapping(bytes32 withdrawalId => bool) public withdrawalUsed;

    event Deposit(bytes32 indexed quoteId, address indexed payer, uint256 amount, uint8 purpose, bytes32 ref);
    event Withdrawal(bytes32 indexed withdrawalId, address indexed recipient, uint256 amount);
    event CheckpointAnchored(uint64 indexed treeSize, bytes32 rootHash);

    error ZeroSigner();
    error InvalidSignature();
    error WrongPayer(address expected, address actual);
    error WrongAmount(uint256 expected, uint256 actual);
    error QuoteExpired(uint256 deadline, uint256 time);
    error QuoteAlreadyUsed(bytes32 quoteId);
    error WithdrawalExpired(uint256 deadline, uint256 time);
    error WithdrawalAlreadyUsed(bytes32 withdrawalId);
    error InsufficientBalance(uint256 available, uint256 requested);
    error TransferFailed();
    error NotSigner(address caller);

    constructor(address signer_) {
        if (signer_ == address(0)) revert ZeroSigner();
        signer = signer_;
    }

    function deposit(Quote calldata quote, bytes calldata signature) external payable {
        if (_recover(quoteDigest(quote), signature) != signer) revert InvalidSignature();
        if (msg.sender != quote.payer) revert WrongPayer(quote.payer, msg.sender);
        if (msg.value != quote.amount) revert WrongAmount(quote.amount, msg.value);
        if (block.timestamp > quote.deadline) revert QuoteExpired(quote.deadline, block.timestamp);
        if (quoteUsed[quote.id]) revert QuoteAlreadyUsed(quote.id);
        quoteUsed[quote.id] = true;
        emit Deposit(quote.id, quote.payer, quote.amount, quote.purpose, quote.ref);
    }

    function withdraw(WithdrawalAuthorization calldata authorization, bytes calldata signature) external {
        if (_recover(withdrawalDigest(authorization), signature) != signer) revert InvalidSignature();
        if (block.timestamp > authorization.deadline) revert WithdrawalExpired(authorization.deadline, block.timestamp);
        if (withdrawalUsed[authorization.id]) revert WithdrawalAlreadyUsed(authorization.id);
        if (address(this).balance < authorization.amount) {
            revert InsufficientBalance(address(this).balance, authorization.amount);
        }
        // Effects before the interaction: a re-entrant call finds the id already used.
        withdrawalUsed[authorization.id] = true;
        emit Withdrawal(authorization.id, authorization.recipient, authorization.amount);
        (bool sent,) = authorization.recipient.call{value: authorization.amount}("");
        if (!sent) revert TransferFailed();
    }

    /// Publishes a signed ledger checkpoint of `treeSize` events with Merkle root `rootHash`
    /// (RFC 9162 tree hash); only the signer may call it. Event only: nothing is stored.
    function anchor(uint64 treeSize, bytes32 rootHash) external {
        if (msg.sender != signer) revert NotSigner(msg.sender);
        emit CheckpointAnchored(treeSize, rootHash);
    }

    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    function quoteDigest(Quote calldata quote) public view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                QUOTE_TYPEHASH, quote.id, quote.payer, quote.amount, quote.purpose, quote.ref, quote.deadline
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    function withdrawalDigest(WithdrawalAuthorization calldata authorization) public view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                WITHDRAWAL_TYPEHASH,
                authorization.id,
                authorization.recipient,
                authorization.amount,
                authorization.deadline
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    /// The address that signed `digest`, or zero for a malformed or malleable signature.
    function _recover(bytes32 digest, bytes calldata signature) private pure returns (address) {
        if (signature.length != 65) return address(0);
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (uint256(s) > HALF_ORDER || (v != 27 && v != 28)) return address(0);
        return ecrecover(digest, v, r, s);
    }
}
